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
    # Assessments trickle in during the day; refresh every open round's ranking overnight.
    # https://crontab.guru/#40_2_*_*_*
    "selection-scoring-nightly": {
        "task": "selection.scoring_rounds_nightly",
        "schedule": crontab(minute=40, hour=2),
        "options": {"expires": 60 * 60 * 12},
    },
    # /healthz reports a worker as alive when it ran this within the last 3 minutes.
    # https://crontab.guru/#*_*_*_*_*
    "worker-heartbeat": {
        "task": "portal.worker_heartbeat",
        "schedule": 60.0,
        "options": {"expires": 50},
    },
    # Incremental checks cover edits; the nightly full run catches drift (IDF changes as the
    # overview grows) and resets runs stuck on a lost worker. https://crontab.guru/#30_3_*_*_*
    "overlap-full-run-nightly": {
        "task": "initiatives.overlap_run_nightly",
        "schedule": crontab(minute=30, hour=3),
        "options": {"expires": 60 * 60 * 12},
    },
    # Open-data downloads follow the overview within the hour; the files are rebuilt whole.
    # https://crontab.guru/#5_*_*_*_*
    "open-data-hourly": {
        "task": "portal.open_data_generate_all",
        "schedule": crontab(minute=5),
        "options": {"expires": 60 * 50},
    },
    # API Idempotency-Keys are promised for 24 hours; drop older ones nightly.
    # https://crontab.guru/#40_3_*_*_*
    "idempotency-records-purge-nightly": {
        "task": "portal.idempotency_records_purge",
        "schedule": crontab(minute=40, hour=3),
        "options": {"expires": 60 * 60 * 12},
    },
    # Webhook outbox: sends deliveries that are due (new ones whose task was lost, and retries
    # by the backoff schedule). https://crontab.guru/#*_*_*_*_*
    "webhook-deliveries-sweep": {
        "task": "portal.webhook_deliveries_sweep",
        "schedule": 60.0,
        "options": {"expires": 50},
    },
}
