"""What turns stored results into things people read.

`stats` (per-trial sweeps joined with configs; mean, std and count over seeds), `tables` and
`sweep_table` (paper-shaped tables in markdown, LaTeX, CSV or HTML), `figures` (matplotlib),
`html_page` (the self-contained report page); the paper's reference numbers are `gwin.paper`. The
scripts in analysis/ are thin command lines over these. Reading results is `gwin.store`'s job.
"""
