# Gunicorn reads this file from the directory it starts in: the repository (/app in the image),
# whatever command line starts it (Dockerfile, docker-compose.yml, the load benchmark).

# Request addresses carry invitation tokens: gunicorn's own logs are redacted like Django's.
logger_class = "config.gunicorn.RedactingLogger"
