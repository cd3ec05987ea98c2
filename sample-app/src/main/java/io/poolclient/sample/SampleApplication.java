package io.poolclient.sample;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/**
 * The pool-client sample: serves its own upstream under {@code /upstream/**}, calls it through the
 * mounts of {@code application.yml} and prints what the pools did. Then keeps serving so that
 * {@code /actuator/httppools} and the page at {@code /} can be looked at; with
 * {@code sample.exit-after-report=true} it exits after the report instead.
 */
@SpringBootApplication
public class SampleApplication {

    public static void main(String[] args) {
        SpringApplication.run(SampleApplication.class, args);
    }
}
