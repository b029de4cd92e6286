FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
# procps: the health checks' pgrep. Pango, HarfBuzz, cairo and Noto CJK: the PDF and Word
# reports (the Makefile's REPORT_PACKAGES, kept equal by tests/test_deployment_files.py).
RUN apt-get update && apt-get install -y --no-install-recommends procps \
      libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 libcairo2 fonts-noto-cjk \
    && rm -rf /var/lib/apt/lists/*
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
RUN useradd --create-home ahpanel && chown -R ahpanel /app
USER ahpanel
EXPOSE 8000
CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000"]
