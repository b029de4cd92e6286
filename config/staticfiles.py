"""Static files, minus what the site does not serve.

drf-spectacular-sidecar ships Redoc next to Swagger UI; the API docs use Swagger UI only,
and Redoc's bundle links a logo from the internet, so it is not collected.
"""

from django.contrib.staticfiles.apps import StaticFilesConfig as DjangoStaticFilesConfig


class StaticFilesConfig(DjangoStaticFilesConfig):
    ignore_patterns = [*DjangoStaticFilesConfig.ignore_patterns, "redoc"]
