"""Every periodic (beat) schedule in one place, each with why it exists (STYLE.md P11)."""

from celery.schedules import crontab

BEAT_SCHEDULE = {
    # Ecosystem figures on dashboards drift as initiatives change; refresh nightly.
    # https://crontab.guru/#15_2_*_*_*
    "ecosystem-statistics-nightly": {
        "task": "portal.ecosystem_statistics_recompute_all",
        "schedule": crontab(minute=15, hour=2),
        "options": {"expires": 60 * 60 * 12},
    },
}
