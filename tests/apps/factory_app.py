"""App-spec forms: `factory_app`, `factory_app:app`, `factory_app:create_app()`,
`factory_app:create_app('Hi', times=2)` and `factory_app:holder.app` (an attribute path, which
greenfork accepts and Gunicorn 26 refuses - see docs/differences.md)."""


def create_app(greeting="Hello", times=1):
    body = (" ".join([greeting] * times) + " from factory").encode()

    def app(environ, start_response):
        start_response("200 OK", [("Content-Type", "text/plain"),
                                  ("Content-Length", str(len(body)))])
        return [body]
    return app


app = create_app("Plain")
application = create_app("Default")


class Holder:
    app = staticmethod(create_app("Attribute"))


holder = Holder()

not_callable = "I am not a WSGI app"
