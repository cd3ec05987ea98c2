package io.poolclient.sample;

import io.poolclient.sample.LoadRunner.LoadRefusedException;
import io.poolclient.sample.LoadRunner.LoadRequest;
import io.poolclient.sample.LoadRunner.LoadStatus;
import io.poolclient.sample.LoadRunner.Totals;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The page's load controls: {@code POST /sample/load} with
 * {@code {"mount":"blocking","calls":8,"delayMs":1500,"failPercent":0}} starts a bounded run (202),
 * 409 while one is in progress, 400 when out of bounds; {@code GET /sample/load} shows the totals
 * and the latest run.
 */
@RestController
@RequestMapping("/sample/load")
class LoadController {

    private final LoadRunner runner;

    LoadController(LoadRunner runner) {
        this.runner = runner;
    }

    @PostMapping
    ResponseEntity<LoadStatus> start(@RequestBody LoadRequest request) {
        return ResponseEntity.status(HttpStatus.ACCEPTED).body(runner.start(request));
    }

    @GetMapping
    Totals status() {
        return runner.status();
    }

    @ExceptionHandler(LoadRefusedException.class)
    ResponseEntity<Map<String, String>> refused(LoadRefusedException e) {
        HttpStatus status = e.busy ? HttpStatus.CONFLICT : HttpStatus.BAD_REQUEST;
        return ResponseEntity.status(status).body(Map.of("message", e.getMessage()));
    }
}
