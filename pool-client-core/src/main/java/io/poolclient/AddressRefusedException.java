package io.poolclient;

/** Every address the host resolved to was refused by the address filter; nothing was connected. */
public class AddressRefusedException extends PoolClientException {

    private static final long serialVersionUID = 1L;

    public AddressRefusedException(String message, String mount, String host, Throwable cause) {
        super(message, mount, host, cause);
    }
}
