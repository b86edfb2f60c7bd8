"""Analysis scripts: `python analysis/<name>.py RESULTS [options]` (tables, plots, report)."""
