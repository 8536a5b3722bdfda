package io.jpod.cli.api;

/**
 * A request that cannot be served, with the HTTP status docker gives for it; the client sees docker's
 * {@code {"message": …}} body. Thrown by the HTTP layer (a malformed request: 4xx) and by the endpoints.
 */
final class HttpError extends RuntimeException {
    private final int status;

    HttpError(int status, String message) {
        super(message, null, false, false); // no stack trace: it is an answer, not a bug
        this.status = status;
    }

    int status() {
        return status;
    }

    static HttpError badRequest(String message) {
        return new HttpError(400, message);
    }

    static HttpError notFound(String message) {
        return new HttpError(404, message);
    }
}
