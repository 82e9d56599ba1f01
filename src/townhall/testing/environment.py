"""A pytest plugin, loaded with `-p` before pytest-django configures Django, that
puts the test suite on test settings unless the environment says otherwise."""

import os

os.environ.setdefault("TOWNHALL_ENV", "test")
# Tasks run inside the test, as soon as they are enqueued (after commit).
os.environ.setdefault("TASKS_BACKEND", "django_tasks.backends.immediate.ImmediateBackend")
