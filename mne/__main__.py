"""`python -m mne` is the `mne` command."""

from mne.cli import main

main()
