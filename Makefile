VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -X main.version=$(VERSION)
PKGS := ./...

.PHONY: build test race bench interop fuzz lint demo tidy clean

build:
	go build -ldflags "$(LDFLAGS)" -o bin/wpimport ./cmd/wpimport

test:
	go test -race $(PKGS)

race: test

# Benchmarks: figures quoted in the issues' closing notes.
bench:
	go test -run '^$$' -bench . -benchmem -benchtime 1x -timeout 30m ./internal/parse ./internal/validate ./internal/report ./internal/emulator ./internal/plan ./internal/execute ./internal/target/graph ./internal/target/scim

# The SCIM end-to-end tests against SCIMMY, an independent server (needs node and npm).
interop:
	cd tools/scimmy && npm ci --no-audit --no-fund --loglevel=error
	go test -race -tags scimmy -run SCIMMY ./internal/target/scim ./cmd/wpimport

fuzz:
	go test -run '^$$' -fuzz FuzzCSV -fuzztime 60s ./internal/parse
	go test -run '^$$' -fuzz FuzzXLSX -fuzztime 60s ./internal/parse
	go test -run '^$$' -fuzz FuzzResemble -fuzztime 30s ./internal/roster

lint:
	@test -z "$$(gofmt -l .)" || (gofmt -l . && exit 1)
	go vet $(PKGS)
	go mod tidy -diff
	go run honnef.co/go/tools/cmd/staticcheck@v0.8.2 -checks all,-ST1000,-ST1003,-ST1005,-ST1020,-ST1021,-ST1022 ./...

demo:
	go run ./cmd/wpimport demo

clean:
	rm -rf bin demo-output
