// Command benchratio runs wrapper's benchmarks against the hand-written
// net/http + encoding/json floor and prints, per operation, the ratio
// wrapper/floor of ns/op and of allocs/op, with the targets (time at most
// 1.10x, allocations at most 1.25x). It builds the test binary once and runs
// it in several rounds, so floor and wrapper samples interleave over time;
// the median of each side is compared. It exits 1 when a target is missed.
//
//	go run ./wrapper/internal/benchratio [-rounds 5] [-benchtime 300ms]
package main

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
)

const (
	timeTarget  = 1.10
	allocTarget = 1.25
)

// sample is one benchmark line's figures.
type sample struct{ ns, allocs, bytes float64 }

var line = regexp.MustCompile(`^Benchmark(\S+)/(floor|wrapper)-\d+\s+\d+\s+([\d.]+) ns/op\s+([\d.]+) B/op\s+([\d.]+) allocs/op`)

func main() {
	rounds := flag.Int("rounds", 5, "how many times to run the whole suite")
	benchtime := flag.String("benchtime", "300ms", "go test -benchtime for each run")
	pkg := flag.String("pkg", "./wrapper", "package holding the benchmarks")
	flag.Parse()
	if err := run(*rounds, *benchtime, *pkg); err != nil {
		fmt.Fprintln(os.Stderr, "benchratio:", err)
		os.Exit(1)
	}
}

func run(rounds int, benchtime, pkg string) error {
	dir, err := os.MkdirTemp("", "benchratio")
	if err != nil {
		return err
	}
	defer func() { _ = os.RemoveAll(dir) }()
	bin := filepath.Join(dir, "bench.test")
	build := exec.Command("go", "test", "-c", "-o", bin, pkg)
	build.Stderr = os.Stderr
	if err := build.Run(); err != nil {
		return fmt.Errorf("building the benchmarks: %w", err)
	}
	pkgDir, err := filepath.Abs(pkg)
	if err != nil {
		return err
	}

	samples := map[string]map[string][]sample{} // op -> side -> samples
	var order []string
	for r := 1; r <= rounds; r++ {
		fmt.Fprintf(os.Stderr, "round %d/%d\n", r, rounds)
		cmd := exec.Command(bin, "-test.run", "^$", "-test.bench", ".", "-test.benchmem", "-test.benchtime", benchtime)
		cmd.Dir = pkgDir
		var out bytes.Buffer
		cmd.Stdout = &out
		cmd.Stderr = os.Stderr
		if err := cmd.Run(); err != nil {
			_, _ = os.Stderr.Write(out.Bytes())
			return fmt.Errorf("running the benchmarks: %w", err)
		}
		scanner := bufio.NewScanner(&out)
		for scanner.Scan() {
			m := line.FindStringSubmatch(scanner.Text())
			if m == nil {
				continue
			}
			op, side := m[1], m[2]
			if samples[op] == nil {
				samples[op] = map[string][]sample{}
				order = append(order, op)
			}
			samples[op][side] = append(samples[op][side], sample{ns: num(m[3]), bytes: num(m[4]), allocs: num(m[5])})
		}
	}
	if len(order) == 0 {
		return fmt.Errorf("no benchmark results found")
	}

	missed := 0
	fmt.Printf("%-22s %12s %12s %7s %9s %9s %7s %9s %9s  %s\n", "operation", "floor ns/op", "wrapper", "time", "floor al", "wrapper", "allocs", "floor B", "wrapper", "targets")
	for _, op := range order {
		f, w := median(samples[op]["floor"]), median(samples[op]["wrapper"])
		if f.ns == 0 || w.ns == 0 {
			return fmt.Errorf("%s lacks a floor or wrapper result", op)
		}
		timeRatio, allocRatio := w.ns/f.ns, w.allocs/f.allocs
		verdict := "met"
		if timeRatio > timeTarget || allocRatio > allocTarget {
			verdict = "MISSED"
			missed++
		}
		fmt.Printf("%-22s %12.0f %12.0f %6.2fx %9.0f %9.0f %6.2fx %9.0f %9.0f  %s\n",
			op, f.ns, w.ns, timeRatio, f.allocs, w.allocs, allocRatio, f.bytes, w.bytes, verdict)
	}
	fmt.Printf("\nmedians of %d rounds; targets: time <= %.2fx, allocs <= %.2fx the floor\n", rounds, timeTarget, allocTarget)
	if missed > 0 {
		return fmt.Errorf("%d operation(s) missed a target", missed)
	}
	return nil
}

func num(s string) float64 {
	v, _ := strconv.ParseFloat(s, 64)
	return v
}

func median(list []sample) sample {
	if len(list) == 0 {
		return sample{}
	}
	pick := func(get func(sample) float64) float64 {
		values := make([]float64, len(list))
		for i, s := range list {
			values[i] = get(s)
		}
		slices.Sort(values)
		return values[len(values)/2]
	}
	return sample{
		ns:     pick(func(s sample) float64 { return s.ns }),
		allocs: pick(func(s sample) float64 { return s.allocs }),
		bytes:  pick(func(s sample) float64 { return s.bytes }),
	}
}
