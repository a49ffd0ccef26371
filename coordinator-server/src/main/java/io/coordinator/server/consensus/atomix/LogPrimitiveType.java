package io.coordinator.server.consensus.atomix;

import io.atomix.primitive.PrimitiveBuilder;
import io.atomix.primitive.PrimitiveManagementService;
import io.atomix.primitive.PrimitiveType;
import io.atomix.primitive.PrimitiveTypeRegistry;
import io.atomix.primitive.config.PrimitiveConfig;
import io.atomix.primitive.service.PrimitiveService;
import io.atomix.primitive.service.ServiceConfig;
import io.atomix.utils.config.ConfigurationException;
import io.coordinator.server.consensus.LogStateMachine;

import java.util.Collection;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

/**
 * The one Atomix primitive type a member registers: its service hands the log to this member's
 * {@link LogStateMachine}. One instance per member, so the service it creates reaches that
 * member's state machine (Atomix creates a new service object on snapshot install; the state
 * machine stays the same).
 */
@SuppressWarnings("rawtypes")
final class LogPrimitiveType implements PrimitiveType, PrimitiveTypeRegistry {
    static final String NAME = "coordinator-log";
    /** The one service (Atomix "primitive") every log session of every member attaches to. */
    static final String SERVICE_NAME = "coordinator";

    private final LogStateMachine stateMachine;
    private final BooleanSupplier readyForLinearizableReads;
    /** Snapshots the state machine failed to write; the compactor refuses to keep such a snapshot. */
    private final AtomicLong failedBackups = new AtomicLong();

    LogPrimitiveType(LogStateMachine stateMachine, BooleanSupplier readyForLinearizableReads) {
        this.stateMachine = stateMachine;
        this.readyForLinearizableReads = readyForLinearizableReads;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public PrimitiveService newService(ServiceConfig config) {
        return new LogService(this, stateMachine, readyForLinearizableReads, failedBackups::incrementAndGet);
    }

    long failedBackups() {
        return failedBackups.get();
    }

    @Override
    public PrimitiveConfig newConfig() {
        throw new UnsupportedOperationException("no primitive configuration: the log is not an Atomix primitive");
    }

    @Override
    public PrimitiveBuilder newBuilder(String primitiveName, PrimitiveConfig config, PrimitiveManagementService managementService) {
        throw new UnsupportedOperationException("no primitive builder: the log is not an Atomix primitive");
    }

    @Override
    public Collection<PrimitiveType> getPrimitiveTypes() {
        return List.of(this);
    }

    @Override
    public PrimitiveType getPrimitiveType(String typeName) {
        if (!NAME.equals(typeName)) {
            throw new ConfigurationException("unknown primitive type " + typeName);
        }
        return this;
    }

    @Override
    public String toString() {
        return NAME;
    }
}
