package io.jsd.options;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertThrows;

import org.junit.Test;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** key=value conversion follows qemu's keyval visitor: 'int' takes 0x/octal, only 'size' takes suffixes. */
public class OptionsTest {
    private static Options keyval(String key, String value) {
        ObjectNode o = new ObjectMapper().createObjectNode();
        o.put(key, value);
        return new Options(o, "", true);
    }

    @Test
    public void integersAreDecimalHexOrOctal() {
        assertEquals(1048576L, keyval("size", "1048576").integer("size"));
        assertEquals(1048576L, keyval("size", "0x100000").integer("size"));
        assertEquals(8L, keyval("size", "010").integer("size"));
        assertEquals(-5L, keyval("n", "-5").integer("n"));
    }

    @Test
    public void integersRefuseSuffixesLikeQsd() {
        OptionException e = assertThrows(OptionException.class, () -> keyval("size", "1M").integer("size"));
        assertEquals("Parameter 'size' expects integer", e.getMessage());
    }

    @Test
    public void sizesTakeSuffixes() {
        assertEquals(1L << 20, keyval("size", "1M").size("size"));
        assertEquals(64L << 10, keyval("cluster-size", "64k").size("cluster-size"));
        OptionException e = assertThrows(OptionException.class, () -> keyval("size", "big").size("size"));
        assertEquals("Parameter 'size' expects size", e.getMessage());
    }

    @Test
    public void jsonIsStrictlyTyped() {
        ObjectNode o = new ObjectMapper().createObjectNode();
        o.put("size", "1024");
        OptionException e = assertThrows(OptionException.class, () -> Options.of(o).integer("size"));
        assertEquals("Invalid parameter type for 'size', expected: integer", e.getMessage());
    }
}
