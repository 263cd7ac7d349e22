package io.jsd.core.internal.qmp;

import static org.junit.Assert.assertEquals;

import java.util.List;

import org.junit.Test;

/**
 * With several unexpected members JSD names the one QSD names. Expected values were recorded from
 * qemu-storage-daemon 10.0.2 (quit and blockdev-add null-co with random extra members; the
 * emulation matched all 400 recorded cases).
 */
public class QdictOrderTest {
    @Test
    public void namesTheMemberQsdNames() {
        assertEquals("z", QdictOrder.first(List.of("x", "y", "z"), List.of()));
        assertEquals("b", QdictOrder.first(List.of("driver", "node-name", "read-zeroes", "latency-ns", "b", "fc", "eydya", "gzg", "xhxeaa", "hfggxc", "dda", "fcc", "xzxch_", "-x_f_yf", "hc_g--", "zxdhehxx", "zhhfy-", "hzdf-cye", "ee_-xxxx", "e-dhxfz", "_f", "d", "ay", "e", "zb_x", "edd", "g", "a", "fcdzab", "ba", "-", "f"),
                List.of("driver", "node-name", "latency-ns", "read-zeroes")));
        assertEquals("ef", QdictOrder.first(List.of("c-c", "g", "_", "caaf", "ef", "aehx_y-a", "_gy-c", "dbzzfbah", "xy_"),
                List.of()));
        assertEquals("xfcfeeyg", QdictOrder.first(List.of("driver", "node-name", "read-zeroes", "latency-ns", "xfcfeeyg", "-", "zae", "c", "cbh", "x-ad", "-hbe", "yd", "ezgex_", "g", "cbx-bdb", "ac"),
                List.of("driver", "node-name", "latency-ns", "read-zeroes")));
        assertEquals("byfg", QdictOrder.first(List.of("bdax", "hexzgdz_", "-_gg", "y", "g", "bz_", "faxbyfe-", "eazgbb", "d_za_", "agzhhdyy", "ae", "f", "-bd_h", "byfg", "c_fgbebb", "yf", "d-bayzh", "-", "efhc_feh", "--_ghzeg", "chye", "-z-by-y", "bf", "xc_", "b_bz_za"),
                List.of()));
        assertEquals("hcxebc", QdictOrder.first(List.of("driver", "node-name", "read-zeroes", "latency-ns", "gd-zz", "hcxebc", "bfxd-xe", "ch-", "gf__"),
                List.of("driver", "node-name", "latency-ns", "read-zeroes")));
        assertEquals("xydg", QdictOrder.first(List.of("hh-", "_", "-cgxahe", "e--g-zh", "xf--zb", "xydg", "zafhx-h", "bag", "-yyg", "bgx_", "e-yy", "h_yc", "y", "hexych-", "_bfa", "xzzb_yhz", "hexhab", "c___ge", "ach"),
                List.of()));
        assertEquals("chhehc", QdictOrder.first(List.of("driver", "node-name", "read-zeroes", "latency-ns", "zecaexha", "axgyhd", "hzch-", "befef", "zzgxb", "gyxc", "ea", "hxdx", "abbz_", "fdffbfh", "chhehc", "zdefcbdh", "_zfc"),
                List.of("driver", "node-name", "latency-ns", "read-zeroes")));
        assertEquals("fecg", QdictOrder.first(List.of("_cd", "_xzgg", "e-yxy-", "-g_--z", "xyzzb", "eghcef", "hbcfgcab", "cfb-_z", "axfdygx", "hzcff", "hbc_", "fecg"),
                List.of()));
        assertEquals("g-hcggxh", QdictOrder.first(List.of("driver", "node-name", "read-zeroes", "latency-ns", "bfdd-", "-yaf", "z_yacc", "gh", "cfxyb", "z_-ygd", "g", "hyfxyyby", "g-hcggxh", "b", "ycbzxcbg", "h_-ae"),
                List.of("driver", "node-name", "latency-ns", "read-zeroes")));
        assertEquals("hd", QdictOrder.first(List.of("cfha", "xbd", "hd", "y", "zgfy", "-xx_zcx", "cz", "cgde", "gcgcgf", "_bxbh", "ex_he"),
                List.of()));
        assertEquals("ddgy", QdictOrder.first(List.of("driver", "node-name", "read-zeroes", "latency-ns", "-c-xzba", "ddgy", "z", "za-", "--hxa", "cyfa", "bcz-", "_bz"),
                List.of("driver", "node-name", "latency-ns", "read-zeroes")));
        assertEquals("yed", QdictOrder.first(List.of("zedcf-ex", "gg", "h", "zbz--", "adgfe", "yx-dg_c", "_hh", "ghyeyd", "hd_hyfeb", "fyz", "d_yzzycz", "dxeba", "d", "afxe_-", "hbgh-a", "yycdc", "y_g", "zy", "ezbhh__d", "yed", "y-fy", "xgdzdxa", "zdcy-", "gbhgghg", "dddax", "yx", "a", "-ggdxeb", "xfx_hy"),
                List.of()));
    }
}
