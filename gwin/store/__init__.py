"""Where results live and what they look like.

`atomic` (every write goes to a temporary name and is moved into place), `location` (a study
folder on any storage pyarrow.fs opens: a local or NFS path, s3://, gs://), `schema` (the
tables' columns, types and schema version), `trials_table` (every trials column with its type,
and the one assembler of its rows), `trial_outputs` (the one writer and reader of a
trial's tables, used by `python -m gwin trial` and by study trials), `index` (a study's trials
index, results/trials.parquet) and `reader` (results of a study or a trial, from any of those
locations), `lease` (one builder of a shared artifact at a time) and `upgrade` (older schema
versions converted in place). The layout and schema are in docs/schema.md.
"""
