"""Where a build's files go before they are published, and how they are published:
`output` (safe paths, the sinks, the swap), `spare` (a whole new folder swapped in),
`patch` (a few files applied in place from a journal)."""
