"""PasteDeploy app factory for tests/e2e/test_paste.py: answers with one value from the app's
own section (local_conf) and one from global_conf, so tests can see where each came from."""


def make_app(global_conf, **local_conf):
    greeting = local_conf.get("greeting", "none")
    extra = global_conf.get("extra", "none")
    here = global_conf.get("here", "none")

    def app(environ, start_response):
        body = f"greeting={greeting} extra={extra} here={here}\n".encode()
        start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
        return [body]

    return app
