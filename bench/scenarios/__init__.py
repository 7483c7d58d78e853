"""One module per scenario; each exposes SECTION and run(bench) or at_size(bench, size) + summarise()."""
