"""The words of the synthetic corpus (bench/generate.py): offices, tags and the pieces of
titles, headings and lists. Body text comes from real sentences (bench/corpus.txt)."""

WIB, WITA, WIT = "Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura"
PROVINCES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    # province, zone, its kabupaten/kota ("Kota X" or "X" for a kabupaten)
    ("Jawa Tengah", WIB, ("Blora", "Kudus", "Banyumas", "Kota Semarang", "Kota Surakarta")),
    ("Jawa Timur", WIB, ("Kota Blitar", "Kota Surabaya", "Malang", "Banyuwangi", "Jember")),
    ("Jawa Barat", WIB, ("Kota Bandung", "Bogor", "Garut", "Kota Depok")),
    ("Jambi", WIB, ("Tebo", "Kota Jambi", "Kerinci")),
    ("Sumatera Utara", WIB, ("Kota Medan", "Deli Serdang")),
    ("Sumatera Barat", WIB, ("Kota Padang", "Agam")),
    ("Sumatera Selatan", WIB, ("Kota Palembang", "Ogan Ilir")),
    ("Lampung", WIB, ("Kota Bandar Lampung", "Lampung Selatan")),
    ("DI Yogyakarta", WIB, ("Sleman", "Bantul")),
    ("Sulawesi Selatan", WITA, ("Luwu Timur", "Kota Makassar", "Gowa", "Bone")),
    ("Kalimantan Utara", WITA, ("Kota Tarakan", "Bulungan")),
    ("Bali", WITA, ("Kota Denpasar", "Gianyar", "Buleleng")),
    ("Nusa Tenggara Timur", WITA, ("Kota Kupang", "Sikka")),
    ("Kalimantan Timur", WITA, ("Kota Samarinda", "Kota Balikpapan")),
    ("Maluku", WIT, ("Kota Ambon", "Maluku Tengah")),
    ("Papua", WIT, ("Kota Jayapura", "Jayapura")),
)

TOPIC_TAGS = (
    "Sosialisasi", "Pemilu 2024", "Pilkada 2024", "Partisipasi Masyarakat", "Badan Adhoc",
    "Pendidikan Pemilih", "PPK", "PPS", "KPPS", "Rapat Koordinasi", "Pemilu 2019", "Bimtek",
    "Pemilihan 2020", "Pemutakhiran Data Pemilih", "Coklit", "Pantarlih", "DPT", "Rapat Pleno",
    "Rekapitulasi", "Pemungutan Suara", "Logistik Pemilu", "Pemilih Pemula", "Rapat Kerja",
    "Daftar Pemilih Berkelanjutan", "Pelantikan", "Kampanye", "Pencalonan", "TPS",
    "Verifikasi Faktual", "Partai Politik", "Sirekap", "Sidalih", "Penghitungan Suara",
    "Pemilih Disabilitas", "Relawan Demokrasi", "Rumah Pintar Pemilu", "Surat Suara",
    "Distribusi Logistik", "Simulasi Pemungutan Suara", "Rekrutmen Badan Adhoc", "Seleksi PPK",
    "Seleksi PPS", "Debat Kandidat", "Penetapan Calon", "Dana Kampanye", "Bawaslu", "DKPP",
    "Kode Etik", "Netralitas ASN", "Hukum dan Pengawasan", "JDIH", "Keterbukaan Informasi",
    "PPID", "Humas", "Media Sosial", "Desa Peduli Pemilu", "Goes to School", "Goes to Campus",
    "Kerja Sama", "Nota Kesepahaman", "Evaluasi", "Monitoring", "Supervisi", "Apel Siaga",
    "HUT KPU", "Kunjungan Kerja", "Audiensi", "Webinar", "Podcast", "Pemilih Perempuan",
    "Verifikasi Administrasi", "Sipol", "Silon", "Pencalonan DPD", "Calon Perseorangan",
    "Pengundian Nomor Urut", "Penetapan Hasil", "Sengketa Pemilu", "Anggaran Pemilu", "NPHD",
    "Zona Integritas", "Reformasi Birokrasi", "Duta Demokrasi", "Pemilih Luar Negeri",
    "Pindah Memilih", "DPTb", "DPK", "DPS", "Formulir C", "Kotak Suara", "Pengamanan",
    "Pemerintah Daerah", "Kesbangpol", "Disdukcapil", "Kesehatan Badan Adhoc",
    "Santunan Badan Adhoc", "Kepegawaian", "PPPK", "SPIP", "Arsip", "Pengelolaan Keuangan",
    "BMN", "Pengadaan", "Upacara", "Ramadan", "Hari Kemerdekaan", "LADK", "LPSDK", "LPPDK",
)
VERBS = ("Gelar", "Laksanakan", "Ikuti", "Selenggarakan", "Adakan", "Hadiri", "Mulai",
         "Perkuat", "Matangkan", "Evaluasi")
ACTIVITIES = ("Rapat Koordinasi", "Bimbingan Teknis", "Sosialisasi", "Rapat Kerja",
              "Rapat Pleno Terbuka", "Uji Publik", "Simulasi Pemungutan Suara", "Pelantikan PPK",
              "Pelantikan PPS", "Monitoring Coklit", "Rekapitulasi", "Focus Group Discussion",
              "Pendidikan Pemilih", "Apel Siaga", "Rapat Evaluasi", "Supervisi",
              "Pemutakhiran Data Pemilih", "Penyortiran Surat Suara", "Seleksi Badan Adhoc")
SUBJECTS = ("Pemilu {y}", "Pilkada {y}", "Tahapan Pemilu {y}", "Daftar Pemilih Berkelanjutan",
            "Badan Adhoc", "Partisipasi Masyarakat", "Pemilih Pemula", "Pemilih Disabilitas",
            "Logistik Pemilihan", "Data Pemilih Triwulan", "Pencalonan", "Kampanye Pemilihan",
            "Penyelenggara Pemilu", "Keterbukaan Informasi Publik", "Zona Integritas")
ENDINGS = ("", "", "", " Bersama PPK", " Bersama PPS", " di Aula Kantor", " Tahun {y}",
           " Bersama Pemerintah Daerah", " untuk Pelajar", " di Kecamatan")
HEADINGS = ("Tahapan dan Jadwal", "Sasaran Sosialisasi", "Peran Badan Adhoc",
            "Harapan ke Depan", "Materi Narasumber", "Hasil Rapat", "Tindak Lanjut",
            "Partisipasi Pemilih", "Peserta Kegiatan", "Pesan Ketua KPU")
LIST_ITEMS = ("Panitia Pemilihan Kecamatan (PPK)", "Panitia Pemungutan Suara (PPS)",
              "Kelompok Penyelenggara Pemungutan Suara (KPPS)", "pemilih pemula dan pelajar",
              "penyandang disabilitas", "tokoh agama dan tokoh masyarakat",
              "organisasi kemahasiswaan", "Dinas Kependudukan dan Pencatatan Sipil",
              "Badan Kesatuan Bangsa dan Politik", "media massa dan media sosial",
              "Bawaslu dan jajaran pengawas", "partai politik peserta pemilu",
              "pemeriksaan kelengkapan logistik", "penyusunan daftar pemilih sementara",
              "pelaporan hasil pencocokan dan penelitian")
AUTHORS = ("Operator website", "Humas KPU", "Tim Teknis", "Subbag Parmas dan SDM")
