#!/usr/bin/env python
"""Django's command-line utility for administrative tasks."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tracker.settings")
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    # A missing or bad setting (no SECRET_KEY with DEBUG off, say) is a one-line message,
    # not a traceback through Django's command machinery.
    try:
        settings.INSTALLED_APPS  # noqa: B018 - loads the settings module
    except ImproperlyConfigured as error:
        sys.exit(f"ImproperlyConfigured: {error}")

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
