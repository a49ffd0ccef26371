package io.coordinator.jepsen.baseline;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The JSON the gateway client sends and reads (shapes as etcd 3.4's gateway answers). */
class EtcdHttpTest {
    @Test
    void requestsCarryBase64KeysAndValuesAndOnlyLocalReadsAskForSerializable() {
        String key = EtcdHttp.base64("/bench/k000001".getBytes(StandardCharsets.UTF_8));
        assertEquals("L2JlbmNoL2swMDAwMDE=", key);
        assertEquals("{\"key\":\"L2JlbmNoL2swMDAwMDE=\",\"value\":\"AQI=\"}", EtcdHttp.putBody(key, "AQI="));
        assertEquals("{\"key\":\"L2JlbmNoL2swMDAwMDE=\"}", EtcdHttp.rangeBody(key, false));
        assertEquals("{\"key\":\"L2JlbmNoL2swMDAwMDE=\",\"serializable\":true}", EtcdHttp.rangeBody(key, true));
    }

    @Test
    void aRangeAnswerYieldsTheValueOrNothingWhenTheKeyIsMissing() {
        String found = "{\"header\":{\"cluster_id\":\"1\",\"member_id\":\"2\",\"revision\":\"7\",\"raft_term\":\"2\"},"
                + "\"kvs\":[{\"key\":\"L2E=\",\"create_revision\":\"3\",\"mod_revision\":\"7\",\"version\":\"5\","
                + "\"value\":\"AQI=\"}],\"count\":\"1\"}";
        String emptyValue = "{\"header\":{},\"kvs\":[{\"key\":\"L2E=\",\"create_revision\":\"3\"}],\"count\":\"1\"}";
        String missing = "{\"header\":{\"cluster_id\":\"1\",\"member_id\":\"2\",\"revision\":\"7\",\"raft_term\":\"2\"}}";

        assertArrayEquals(new byte[]{1, 2}, EtcdHttp.parseRangeValue(found).orElseThrow());
        assertArrayEquals(new byte[0], EtcdHttp.parseRangeValue(emptyValue).orElseThrow());
        assertFalse(EtcdHttp.parseRangeValue(missing).isPresent());
    }

    @Test
    void aMemberLeadsWhenItsStatusNamesItselfAsLeader() {
        String leader = "{\"header\":{\"cluster_id\":\"9\",\"member_id\":\"1234\",\"revision\":\"1\",\"raft_term\":\"2\"},"
                + "\"version\":\"3.4.23\",\"dbSize\":\"20480\",\"leader\":\"1234\",\"raftIndex\":\"8\"}";
        String follower = leader.replace("\"leader\":\"1234\"", "\"leader\":\"5678\"");
        String noLeader = leader.replace("\"leader\":\"1234\",", "");

        assertTrue(EtcdHttp.parseStatus(leader).isLeader());
        assertFalse(EtcdHttp.parseStatus(follower).isLeader());
        assertEquals("0", EtcdHttp.parseStatus(noLeader).leaderId());
        assertFalse(EtcdHttp.parseStatus(noLeader).isLeader());
    }
}
