"""Every write to the archive goes through a function here.

``annotations`` writes claims, links and text corrections and records the
audit event; ``imports`` turns captures into documents; ``seed`` loads the
seed corpus through both. Views, the JSON API, the admin and the management
commands validate input and call these; they never save models themselves.
"""
