package io.jpod.tests.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jpod.tests.support.JpodEnv;
import io.jpod.tests.support.RegistryAndJpod;
import io.jpod.tests.support.Result;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * podman's 500-networking tests as jpod answers them: the /etc/hosts rootless podman writes (the host by its own
 * address, hostname and name both even when equal, a pod's infra entry and each member on 127.0.0.1) and
 * `network rm --force` of a network that does not exist.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class PodmanNetworkingTest {
    @RegisterExtension
    static final RegistryAndJpod FX = RegistryAndJpod.withBusybox("networking/busybox");
    private static JpodEnv env; // set by FX

    @Test
    void slirp4netnsHostsNameTheHostByItsAddressAndTheContainerTwice() {
        Result r = env.ok("run", "--rm", "--network", "slirp4netns:cidr=172.28.74.0/24", "--name", "same", "--hostname", "same",
                FX.image(), "cat", "/etc/hosts");
        List<String> lines = r.stdout().lines().toList();
        assertTrue(lines.contains(NetworkTest.hostAddress() + "\thost.containers.internal"),
                "host.containers.internal is the host's own address, as rootless podman writes it: " + r);
        assertTrue(lines.contains("172.28.74.100\tsame same"), "hostname and name both, as podman writes them: " + r);
    }

    @Test
    void podMembersSeeTheInfraEntryAndThemselvesOnLoopbackOnly() {
        env.ok("pod", "create", "--name", "hostspod", "--infra-name", "hostsinfra");
        try {
            Result first = env.ok("run", "--pod", "hostspod", "--name", "member1", FX.image(), "cat", "/etc/hosts");
            List<String> lines = first.stdout().lines().toList();
            assertTrue(lines.contains("10.0.2.100\thostspod hostsinfra"), "the pod's address names the pod and its infra: " + first);
            assertTrue(lines.contains("127.0.0.1\tmember1"), "the member itself on loopback: " + first);
            Result second = env.ok("run", "--pod", "hostspod", "--name", "member2", FX.image(), "cat", "/etc/hosts");
            assertEquals(lines.size(), second.stdout().lines().count(), "no entry left of the first member: " + second);
            assertTrue(second.stdout().lines().noneMatch(l -> l.contains("member1")), second::toString);
        } finally {
            env.ok("pod", "rm", "-f", "hostspod");
        }
    }

    @Test
    void networkRmForceOfAMissingNetworkIsNoError() {
        Result plain = env.run(JpodEnv.NORMAL, "network", "rm", "bogus");
        assertEquals(1, plain.exitCode(), plain::toString);
        assertEquals("Error: unable to find network with name or ID bogus: network not found", plain.stderr().strip(), plain::toString);
        Result forced = env.run(JpodEnv.NORMAL, "network", "rm", "--force", "bogus");
        assertEquals(0, forced.exitCode(), forced::toString);
        assertEquals("", forced.stdout() + forced.stderr(), "nothing said: the network is gone, as asked: " + forced);
    }
}
