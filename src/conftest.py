"""Test settings: tests run with TOWNHALL_ENV=test unless told otherwise."""

import os

os.environ.setdefault("TOWNHALL_ENV", "test")
os.environ.setdefault("TASKS_BACKEND", "django_tasks.backends.immediate.ImmediateBackend")
os.environ.setdefault("EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")
