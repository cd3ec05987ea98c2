package io.poolclient.boot.actuate;

import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.actuate.endpoint.EndpointId;
import org.springframework.boot.actuate.endpoint.InvocationContext;
import org.springframework.boot.actuate.endpoint.OperationArgumentResolver;
import org.springframework.boot.actuate.endpoint.OperationType;
import org.springframework.boot.actuate.endpoint.SecurityContext;
import org.springframework.boot.actuate.endpoint.invoke.OperationInvoker;
import org.springframework.boot.actuate.endpoint.invoke.OperationInvokerAdvisor;
import org.springframework.boot.actuate.endpoint.invoke.OperationParameter;
import org.springframework.boot.actuate.endpoint.invoke.OperationParameters;
import org.springframework.boot.actuate.endpoint.annotation.Selector;

/**
 * Gives the {@code httppools} write operation its whole request body as {@link MountChanges}:
 * Actuator itself binds only the body keys an operation declares and drops the rest, which would
 * let a misspelt key pass unnoticed. Applies to write operations of the {@code httppools} endpoint
 * that take a {@link MountChanges}; every other operation is left as it is. Stateless; Actuator
 * calls the invokers it returns from any request thread.
 */
public final class MountChangesResolver implements OperationInvokerAdvisor {

    @Override
    public OperationInvoker apply(EndpointId endpointId, OperationType operationType, OperationParameters parameters,
            OperationInvoker invoker) {
        if (!HttpPoolsEndpoint.ID.equals(endpointId.toString()) || operationType != OperationType.WRITE
                || parameters.stream().noneMatch(p -> p.getType() == MountChanges.class)) {
            return invoker;
        }
        return context -> {
            Map<String, Object> body = new LinkedHashMap<>(context.getArguments());
            for (OperationParameter p : parameters) {
                if (p.getAnnotation(Selector.class) != null) {
                    body.remove(p.getName()); // a path variable, not a setting
                }
            }
            MountChanges changes = new MountChanges(body);
            return invoker.invoke(new InvocationContext(context.resolveArgument(SecurityContext.class), context.getArguments(),
                    OperationArgumentResolver.of(MountChanges.class, () -> changes)));
        };
    }
}
