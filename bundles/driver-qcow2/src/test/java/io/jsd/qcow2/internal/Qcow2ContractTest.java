package io.jsd.qcow2.internal;

import java.nio.file.Path;

import org.junit.Assume;
import org.junit.Rule;
import org.junit.rules.TemporaryFolder;

import io.jsd.block.BlockNode;
import io.jsd.driver.file.internal.FileDriver;
import io.jsd.testkit.BlockNodeContract;
import io.jsd.testkit.GraphHarness;

/** The block driver contract for qcow2 over the real file driver, through core's graph. */
public class Qcow2ContractTest extends BlockNodeContract {
    @Rule public TemporaryFolder tmp = new TemporaryFolder();
    protected final GraphHarness h = new GraphHarness().driver("file", new FileDriver()).driver("qcow2", new Qcow2Driver());

    protected String createOptions() { return "-o cluster_size=4k"; }

    @Override
    protected BlockNode open(long size) throws Exception {
        Assume.assumeTrue(Harness.haveQemu());
        tmp.create();
        Path img = tmp.getRoot().toPath().resolve("img.qcow2");
        Harness.run("bash", "-c", "qemu-img create -q -f qcow2 " + createOptions() + " '" + img + "' " + size);
        return h.add("{'driver':'qcow2','node-name':'q0','discard':'unmap','file':{'driver':'file','filename':'" + img + "'}}").io();
    }

    @Override
    protected void close() { h.clear(); }
}
