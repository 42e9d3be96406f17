"""Getting insight out: compiling and rendering progress and gap reports, scheduled jobs."""
