"""Command groups of the `mne` command line beyond the foundation's, one module per area."""
