package io.coordinator.server.config;

import com.fasterxml.jackson.annotation.JsonProperty;

import java.util.Objects;

/** Where one member of the cluster listens: clients on clientPort, peers on raftPort. */
public record MemberAddress(@JsonProperty("id") String id,
                            @JsonProperty("host") String host,
                            @JsonProperty("client-port") int clientPort,
                            @JsonProperty("raft-port") int raftPort,
                            @JsonProperty("http-port") int httpPort) {
    public MemberAddress {
        Objects.requireNonNull(id, "members[].id");
        Objects.requireNonNull(host, "members[].host");
        ServerConfig.requirePort(clientPort, "members[].client-port");
        ServerConfig.requirePort(raftPort, "members[].raft-port");
    }

    public String clientEndpoint() {
        return host + ":" + clientPort;
    }
}
