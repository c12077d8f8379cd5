package state

import (
	"bufio"
	"os"
	osexec "os/exec"
	"testing"
)

// holdInAnotherProcess starts this test binary holding path open (see
// TestLockHeldByAnotherProcess), waits until it has the lock, and returns a
// function that makes it exit.
func holdInAnotherProcess(t *testing.T, path string) (stop func()) {
	t.Helper()
	cmd := osexec.Command(os.Args[0], "-test.run=^TestLockHeldByAnotherProcess$")
	cmd.Env = append(os.Environ(), "TAOBOT_STATE_HOLD="+path)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil || line != "ready\n" {
		stdin.Close()
		_ = cmd.Wait()
		t.Fatalf("helper process: %q %v", line, err)
	}
	done := false
	stop = func() {
		if done {
			return
		}
		done = true
		stdin.Close()
		if err := cmd.Wait(); err != nil {
			t.Errorf("helper process: %v", err)
		}
	}
	t.Cleanup(stop)
	return stop
}
