package io.spotsh.common;

/**
 * Input spotsh cannot act on — an unknown argument, test type, provider or instance type, missing
 * credentials — found before anything was launched. The command line exits 2 for it, even from inside a plan.
 */
public class BadInput extends IllegalArgumentException {
    public BadInput(String message) {
        super(message);
    }

    public BadInput(String message, Throwable cause) {
        super(message, cause);
    }
}
