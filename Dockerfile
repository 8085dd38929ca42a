# The Centavo image: one install of the distribution, used by the app, the worker and the migration job.
FROM python:3.11-slim
WORKDIR /srv/centavo
COPY pyproject.toml README.md alembic.ini ./
COPY bot ./bot
COPY nlu ./nlu
COPY domain ./domain
COPY adapters ./adapters
COPY locales ./locales
COPY migrations ./migrations
RUN pip install --no-cache-dir .
# The NLU reads its language data from here (the package is installed, the data stays beside it).
ENV CENTAVO_LOCALES_DIR=/srv/centavo/locales
# onnxruntime (the receipt OCR) ships telemetry; adapters/ocr.py turns it off, and so does this, in case
# anything imports onnxruntime first.
ENV ORT_DISABLE_TELEMETRY=1
USER nobody
EXPOSE 8080
CMD ["centavo", "serve", "--host", "0.0.0.0", "--port", "8080"]
