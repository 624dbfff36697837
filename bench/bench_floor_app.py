"""The receiver benchmark's baseline: a WSGI app that reads the body and answers 200."""


def app(environ, start_response):
    environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
    start_response("200 OK", [("Content-Length", "0")])
    return [b""]
