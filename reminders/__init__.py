"""The timing side of reminders: APScheduler 3.11 on a persistent job store.

The reminders table (bot/services/reminders) says what is due and what was sent; the
scheduler holds a handful of jobs that carry only names: one "next due" job re-armed after
each run, the team leads' morning digest, and the booking offers' expiry.
"""

from reminders.scheduler import ReminderScheduler, jobstore_url

__all__ = ["ReminderScheduler", "jobstore_url"]
