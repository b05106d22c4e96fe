"""The HTTP boundary: app.py builds the FastAPI app (errors, API key, upload limit) and mounts every
router in ROUTES; each other module is one group of thin handlers (questions.py, documents.py, jobs.py,
openai.py) over `service.index` and `service.answers`; models.py declares what requests carry."""
