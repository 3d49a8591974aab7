#!/usr/bin/env python
"""The example service's manage.py (run it with the repository's .venv python, from this directory)."""

import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "demo_service.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
