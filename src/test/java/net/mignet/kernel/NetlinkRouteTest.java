package net.mignet.kernel;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import net.mignet.testing.KernelAssumptions;
import net.mignet.testing.VethBetweenNamespaces;
import net.mignet.topo.HostRoute;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Routes added over rtnetlink are what {@code ip route add DEST via GATEWAY} makes, and a refused one is named. */
class NetlinkRouteTest {

    @BeforeEach
    void needsRoot() {
        KernelAssumptions.assumeRoot();
    }

    @Test
    void a_route_through_a_gateway_is_added_and_a_refused_one_named_with_the_kernels_reason() {
        try (VethBetweenNamespaces pair = VethBetweenNamespaces.create("route", "10.232.0")) {
            NamespaceThread.call(pair.namespaceA(), () -> {
                try (NetlinkRoute netlink = NetlinkRoute.open()) {
                    HostRoute network = HostRoute.parse("10.77.0.0/16 via 10.232.0.2");
                    HostRoute fallback = HostRoute.parse("default via 10.232.0.2");
                    netlink.addRoute(network.destination(), network.gateway(), "route " + network);
                    netlink.addRoute(fallback.destination(), fallback.gateway(), "route " + fallback);
                    netlink.flush();
                    // No interface of this namespace is on 10.99.0.0/24.
                    HostRoute unreachable = HostRoute.parse("10.88.0.0/16 via 10.99.0.1");
                    netlink.addRoute(unreachable.destination(), unreachable.gateway(), "route " + unreachable);
                    assertThatThrownBy(netlink::flush).isInstanceOf(IllegalStateException.class)
                            .hasMessageStartingWith("the kernel refused: route 10.88.0.0/16 via 10.99.0.1: ");
                }
                return null;
            });
            String routes = Command.check(List.of("ip", "-n", pair.namespaceA(), "route", "show")).stdout();
            assertThat(routes).contains("default via 10.232.0.2 dev va")
                    .contains("10.77.0.0/16 via 10.232.0.2 dev va")
                    .doesNotContain("10.88.0.0");
        }
    }
}
