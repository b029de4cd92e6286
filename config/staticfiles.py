"""Static files, minus what the site does not serve.

drf-spectacular-sidecar ships Redoc next to Swagger UI; the API docs use Swagger UI only,
and Redoc's bundle links a logo from the internet, so collectstatic leaves it out. (A finder
rather than Django's documented StaticFilesConfig subclass, because test servers serve static
files only when "django.contrib.staticfiles" itself is installed.)
"""

from django.contrib.staticfiles.finders import AppDirectoriesFinder

NOT_SERVED = ["redoc"]


class AppDirectoriesWithoutRedocFinder(AppDirectoriesFinder):
    def list(self, ignore_patterns):
        return super().list([*(ignore_patterns or []), *NOT_SERVED])
