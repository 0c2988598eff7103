"""HTTP API (FastAPI): ``create_app(settings)`` builds the app; nothing is created at import.

Handlers parse and validate the request (pydantic schemas), call ``computegrid.services`` and
render the result; the business logic lives in the services layer.
"""
