"""The reference slice of a Flask service on the MongoDB-wire store (used by the library's tests).

It has the shape every Flask service follows, reduced to one entity: ``create_app`` (the factory),
a thin route (``api``), a service function that writes the document and its event in one insert
(``services.widget_create``), registered event schemas and the handler of a consumer that applies
each event once (``events``), and a relay process (``relay_process``). ``docs/flask-outbox.md`` walks
through it.
"""
