"""Back-scan: check a platform's archive against the local banks, at scale.

An archive is a *source* (:mod:`.sources`): a CSV or JSON-lines file of ``(id, pdq)`` rows the
platform already has (the cheap path: nothing is decoded or hashed again), a folder of images, or
images in an S3-compatible object store. It is cut into numbered chunks, in a fixed order; an
*engine* (:mod:`.engines`: local worker processes, or Ray actors on a cluster) matches each chunk
in a worker that holds its own copy of the banks' index (:mod:`.worker`), and the driver
(:mod:`.run`) settles each hit's standing in the database, decides its verdict with the policy,
appends it to the JSON-lines report and records a checkpoint (:mod:`.checkpoint`) after every
chunk, so that an interrupted back-scan resumes where it stopped. Only hits and refused rows are
reported: a back-scan of millions of rows writes a report the size of what needs a look.
"""
