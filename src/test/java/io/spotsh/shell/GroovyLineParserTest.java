package io.spotsh.shell;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class GroovyLineParserTest {
    @Test
    void completeInputsNeedNoMoreLines() {
        assertNull(GroovyLineParser.missing("println 1"));
        assertNull(GroovyLineParser.missing("nodes.run('echo \"}\"')"));
        assertNull(GroovyLineParser.missing("def s = \"a ${[1, 2].sum()} b\""));
        assertNull(GroovyLineParser.missing("x = 1 // trailing comment with ( and '"));
        assertNull(GroovyLineParser.missing("def m = [a: 1]\nm.a"));
        assertNull(GroovyLineParser.missing("1..10"));
        assertNull(GroovyLineParser.missing("}"), "an unbalanced close is the compiler's to report");
    }

    @Test
    void openBracketsStringsAndCommentsContinue() {
        assertEquals("]", GroovyLineParser.missing("def x = [1, 2,"));
        assertEquals("}", GroovyLineParser.missing("nodes.each { n ->"));
        assertEquals(")", GroovyLineParser.missing("cluster.launch(name: 't',"));
        assertEquals("'", GroovyLineParser.missing("println 'abc"));
        assertEquals("\"\"\"", GroovyLineParser.missing("def s = \"\"\"line one\n"));
        assertEquals("]", GroovyLineParser.missing("def s = \"${ [1,"));
        assertEquals("}", GroovyLineParser.missing("def s = \"${ 1 + "));
        assertEquals("*/", GroovyLineParser.missing("/* note"));
        assertEquals(".", GroovyLineParser.missing("nodes.data."));
        assertEquals("=", GroovyLineParser.missing("def x ="));
        assertEquals("\\", GroovyLineParser.missing("println 1 + \\"));
    }
}
