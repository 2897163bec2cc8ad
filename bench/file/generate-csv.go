// Writes N lines of seed-like person CSV (~100 bytes a line, no header, no quotes) to stdout, fast and
// deterministic (fixed seed), for bench/file-load.sh.
//
//	go run bench/file/generate-csv.go 10000000 > persons.csv
//
// Columns: id,name,gender,age,state,email,city,signup_date,score,status
package main

import (
	"bufio"
	"fmt"
	"math/rand"
	"os"
	"strconv"
)

var names = []string{"Tom", "Dan", "Jenny", "Kevin", "Amily", "Nancy", "Jack", "Ana", "Emily", "Kevin", "Maria", "Olivia"}
var states = []string{"ca", "ny", "tx", "wa", "fl", "il", "ma", "or", "nj", "az"}
var cities = []string{"San Francisco", "New York", "Austin", "Seattle", "Miami", "Chicago", "Boston", "Portland", "Newark", "Phoenix"}
var statuses = []string{"active", "inactive", "pending"}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: generate-csv LINES")
		os.Exit(2)
	}
	n, err := strconv.Atoi(os.Args[1])
	if err != nil || n < 0 {
		fmt.Fprintf(os.Stderr, "generate-csv: LINES must be a non-negative integer, got %q\n", os.Args[1])
		os.Exit(2)
	}
	rng := rand.New(rand.NewSource(104))
	w := bufio.NewWriterSize(os.Stdout, 1<<20)
	line := make([]byte, 0, 160)
	for i := 0; i < n; i++ {
		name := names[rng.Intn(len(names))]
		gender := "male"
		if rng.Intn(2) == 0 {
			gender = "female"
		}
		line = line[:0]
		line = fmt.Appendf(line, "%010d,%s-%010d,%s,%d,%s,%s.%010d@example.com,%s,20%02d-%02d-%02d,%d.%02d,%s\n",
			i, name, i, gender, 18+rng.Intn(70), states[rng.Intn(len(states))],
			name, i, cities[rng.Intn(len(cities))],
			rng.Intn(25), 1+rng.Intn(12), 1+rng.Intn(28),
			rng.Intn(100), rng.Intn(100), statuses[rng.Intn(len(statuses))])
		if _, err := w.Write(line); err != nil {
			fmt.Fprintf(os.Stderr, "generate-csv: write failed at line %d: %v\n", i+1, err)
			os.Exit(1)
		}
	}
	if err := w.Flush(); err != nil {
		fmt.Fprintf(os.Stderr, "generate-csv: flush failed: %v\n", err)
		os.Exit(1)
	}
}
