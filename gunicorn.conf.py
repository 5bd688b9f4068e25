"""gunicorn settings, read from the working directory (the image's /app).

Access log lines name the path without its query string (`%(U)s`, not
`%(r)s`): a search like `/patients/?q=Smith` must not write a patient's name
into the log.
"""

accesslog = "-"
access_log_format = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(L)ss'
