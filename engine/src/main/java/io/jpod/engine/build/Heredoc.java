package io.jpod.engine.build;

/**
 * A here-document of a RUN, COPY or ADD ({@code <<EOF} … {@code EOF}). expand: the word was not quoted, so the
 * shell (RUN) or the builder (COPY) expands variables in the content; content ends with a newline per line.
 */
public record Heredoc(String name, String content, boolean expand) {
}
