package io.jsd.qcow2.internal;

/** The contract with extended L2 entries (subclusters). */
public class Qcow2ExtL2ContractTest extends Qcow2ContractTest {
    @Override
    protected String createOptions() { return "-o extended_l2=on,cluster_size=64k"; }
}
