"""Every write to the archive goes through a function here.

``annotations`` writes claims, links and text corrections and records the
audit event; ``imports`` turns captures into documents; ``seed`` loads the
seed corpus through both (``shapes`` holds what the two share to check their
manifests: strict pydantic types that say what is wrong in the archive's
words). Views, the JSON API, the admin and the management commands validate
input and call these; they never save models themselves.
"""
