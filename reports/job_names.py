"""The names of the scheduled jobs and of the schedule that follows the reporting calendar:
what configuration (`mne.config`) checks, without loading the jobs (`reports.jobs`) nor the
scheduler (`reports.scheduler`)."""

REPORTS_JOB = "quarterly_reports"
REMINDERS_JOB = "reminders"
JOB_NAMES = (REPORTS_JOB, REMINDERS_JOB)
CALENDAR = "calendar"
