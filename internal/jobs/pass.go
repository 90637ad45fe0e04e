package jobs

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/bankfeed/bankfeed/internal/refresh"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"
)

// passPoll is how often RunPass looks at the pass's progress.
const passPoll = 100 * time.Millisecond

// unfinished are the states of a job that will still run.
var unfinished = []rivertype.JobState{rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateRunning,
	rivertype.JobStateRetryable, rivertype.JobStateScheduled}

// RunPass plans a refresh pass with the given window now, and waits until
// every refresh it planned has finished (worked by this runner or by
// another process's), or ctx ends. It is `bankfeed refresh --now`.
func (r *Runner[TTx]) RunPass(ctx context.Context, window time.Duration) (refresh.PassPlan, error) {
	res, err := r.client.Insert(ctx, refresh.PlanJob{WindowSeconds: int64(window / time.Second)}, &river.InsertOpts{Queue: refreshQueue})
	if err != nil {
		return refresh.PassPlan{}, fmt.Errorf("jobs: plan a pass: %w", err)
	}
	var plan refresh.PassPlan
	for {
		job, err := r.client.JobGet(ctx, res.Job.ID)
		if err != nil {
			return plan, fmt.Errorf("jobs: the pass's plan: %w", err)
		}
		if job.State == rivertype.JobStateCompleted {
			if err := json.Unmarshal(job.Output(), &plan); err != nil {
				return plan, fmt.Errorf("jobs: the pass's plan: %w", err)
			}
			break
		}
		if job.State == rivertype.JobStateDiscarded || job.State == rivertype.JobStateCancelled {
			return plan, fmt.Errorf("jobs: the pass's plan failed: %v", job.Errors)
		}
		if err := sleep(ctx, passPoll); err != nil {
			return plan, err
		}
	}
	params := river.NewJobListParams().Kinds(refresh.Job{}.Kind()).TagsAll(passTag(res.Job.ID)).States(unfinished...).First(1)
	for {
		left, err := r.client.JobList(ctx, params)
		if err != nil {
			return plan, fmt.Errorf("jobs: the pass's progress: %w", err)
		}
		if len(left.Jobs) == 0 {
			return plan, nil
		}
		if err := sleep(ctx, passPoll); err != nil {
			return plan, err
		}
	}
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
